package io.ftpgate.protocol;

import java.util.Locale;
import java.util.Set;

/**
 * The verbs the gateway knows, and the classes it treats alike. {@link #isKnown} is an allowlist: a verb not on
 * it is refused (502), never relayed, because the gateway cannot vouch for what an unknown command makes the
 * server do. All lookups ignore case ({@link Locale#ROOT}).
 *
 * <p>Deliberately <em>not</em> known:
 * <ul>
 *   <li>{@code LPRT}/{@code LPSV} (RFC 1639): long addresses the gateway does not broker; listed by
 *       {@link #isDataChannel} so they can be refused with their own reason;</li>
 *   <li>{@code ENC}, {@code MIC}, {@code CONF}, {@code ADAT} (RFC 2228): they carry other commands in a
 *       protected envelope the gateway cannot read, so a wrapped {@code PORT} would slip past every check.</li>
 * </ul>
 */
public final class Verbs {

    /** RFC 959 §4.1.1: user name. */
    public static final String USER = "USER";
    /** RFC 959 §4.1.1: password. */
    public static final String PASS = "PASS";
    /** RFC 959 §4.1.1: account. */
    public static final String ACCT = "ACCT";
    /** RFC 959 §4.1.1: change working directory. */
    public static final String CWD = "CWD";
    /** RFC 959 §4.1.1: reinitialise; resets the login like a new session. */
    public static final String REIN = "REIN";
    /** RFC 959 §4.1.1: logout. */
    public static final String QUIT = "QUIT";
    /** RFC 959 §4.1.2: active-mode data address {@code h1,h2,h3,h4,p1,p2}. */
    public static final String PORT = "PORT";
    /** RFC 959 §4.1.2: passive mode, answered by 227. */
    public static final String PASV = "PASV";
    /** RFC 2428 §2: extended active-mode address {@code |1|a.b.c.d|port|}. */
    public static final String EPRT = "EPRT";
    /** RFC 2428 §3: extended passive mode, answered by 229. */
    public static final String EPSV = "EPSV";
    /** RFC 1639: long active address; not supported. */
    public static final String LPRT = "LPRT";
    /** RFC 1639: long passive mode; not supported. */
    public static final String LPSV = "LPSV";
    /** RFC 959 §4.1.2: representation type. */
    public static final String TYPE = "TYPE";
    /** RFC 959 §4.1.2: transfer mode. */
    public static final String MODE = "MODE";
    /** RFC 959 §4.1.2: file structure. */
    public static final String STRU = "STRU";
    /** RFC 959 §4.1.3: download. */
    public static final String RETR = "RETR";
    /** RFC 959 §4.1.3: upload. */
    public static final String STOR = "STOR";
    /** RFC 959 §4.1.3: upload under a unique name. */
    public static final String STOU = "STOU";
    /** RFC 959 §4.1.3: append. */
    public static final String APPE = "APPE";
    /** RFC 959 §4.1.3 / RFC 3659 §5: restart marker. */
    public static final String REST = "REST";
    /** RFC 959 §4.1.3: rename from. */
    public static final String RNFR = "RNFR";
    /** RFC 959 §4.1.3: rename to. */
    public static final String RNTO = "RNTO";
    /** RFC 959 §4.1.3: abort the transfer in progress. */
    public static final String ABOR = "ABOR";
    /** RFC 959 §4.1.3: delete. */
    public static final String DELE = "DELE";
    /** RFC 959 §4.1.3: directory listing over the data connection. */
    public static final String LIST = "LIST";
    /** RFC 959 §4.1.3: name listing over the data connection. */
    public static final String NLST = "NLST";
    /** RFC 959 §4.1.3: site-specific commands ({@code SITE CHMOD}, {@code SITE EXEC}...). */
    public static final String SITE = "SITE";
    /** RFC 959 §4.1.3: system type. */
    public static final String SYST = "SYST";
    /** RFC 959 §4.1.3: status. */
    public static final String STAT = "STAT";
    /** RFC 959 §4.1.3: help. */
    public static final String HELP = "HELP";
    /** RFC 959 §4.1.3: no operation. */
    public static final String NOOP = "NOOP";
    /** RFC 2389 §3: feature list. */
    public static final String FEAT = "FEAT";
    /** RFC 2389 §4: feature options. */
    public static final String OPTS = "OPTS";
    /** RFC 2228 §3: start a security mechanism (TLS, RFC 4217). */
    public static final String AUTH = "AUTH";
    /** RFC 2228 §3: protection buffer size. */
    public static final String PBSZ = "PBSZ";
    /** RFC 2228 §3: data channel protection level. */
    public static final String PROT = "PROT";
    /** RFC 2228 §3: clear command channel. */
    public static final String CCC = "CCC";
    /** RFC 3659 §7: machine listing over the data connection. */
    public static final String MLSD = "MLSD";
    /** RFC 3659 §7: machine listing of one object on the control connection. */
    public static final String MLST = "MLST";
    /** RFC 7151: virtual host. */
    public static final String HOST = "HOST";
    /** Pre-transfer hint (drftpd, FileZilla): names the coming transfer before PASV. */
    public static final String PRET = "PRET";
    /** Client identification (Serv-U, FileZilla). */
    public static final String CLNT = "CLNT";

    /** RFC 959 §4.1 plus the X* aliases of RFC 775 and the extensions listed in the class comment. */
    private static final Set<String> KNOWN = Set.of(
            // RFC 959.
            USER, PASS, ACCT, CWD, "CDUP", "SMNT", REIN, QUIT, PORT, PASV, TYPE, STRU, MODE, RETR, STOR, STOU,
            APPE, "ALLO", REST, RNFR, RNTO, ABOR, DELE, "RMD", "MKD", "PWD", LIST, NLST, SITE, SYST, STAT, HELP,
            NOOP,
            // RFC 775 experimental aliases, still sent by old clients.
            "XCUP", "XCWD", "XMKD", "XPWD", "XRMD",
            // RFC 2228 (only the verbs that do not hide other commands), RFC 2389, RFC 2428, RFC 2640.
            AUTH, PBSZ, PROT, CCC, FEAT, OPTS, EPRT, EPSV, "LANG",
            // RFC 3659, RFC 7151.
            "MDTM", "SIZE", MLST, MLSD, HOST,
            // Common extensions: drafts and widely deployed server verbs.
            PRET, CLNT, "AVBL", "CSID", "MFMT", "MFCT", "MFF", "HASH", "XCRC", "XMD5", "MD5", "MMD5", "RMDA",
            "DSIZ");

    /** Commands that open a data connection. */
    private static final Set<String> TRANSFER = Set.of(RETR, STOR, STOU, APPE, LIST, NLST, MLSD);

    /** Snort's {@code data_chan_cmds}: every verb that negotiates a data address. */
    private static final Set<String> DATA_CHANNEL = Set.of(PORT, PASV, EPRT, EPSV, LPRT, LPSV);

    /**
     * What a client may say before logging in: the login itself, session housekeeping, and the RFC 2228 / 2389 /
     * 7151 negotiation that RFCs place before USER.
     */
    private static final Set<String> BEFORE_LOGIN = Set.of(
            USER, PASS, ACCT, QUIT, NOOP, FEAT, HOST, OPTS, AUTH, PBSZ, PROT, CLNT, SYST, HELP);

    private Verbs() {
    }

    /** True when the gateway knows {@code verb} and may relay it (after its own checks). */
    public static boolean isKnown(String verb) {
        return in(KNOWN, verb);
    }

    /** True for the commands that transfer over a data connection: RETR STOR STOU APPE LIST NLST MLSD. */
    public static boolean isTransfer(String verb) {
        return in(TRANSFER, verb);
    }

    /**
     * True for the data-address commands PORT PASV EPRT EPSV LPRT LPSV. The gateway answers these itself; they
     * must never be relayed as the client sent them.
     */
    public static boolean isDataChannel(String verb) {
        return in(DATA_CHANNEL, verb);
    }

    /** True when {@code verb} may be sent before a successful login. */
    public static boolean allowedBeforeLogin(String verb) {
        return in(BEFORE_LOGIN, verb);
    }

    private static boolean in(Set<String> set, String verb) {
        return verb != null && set.contains(verb.toUpperCase(Locale.ROOT));
    }
}
