import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.Arrays;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;

/**
 * The Commons Net client of the system-test matrix: one cell's whole sequence in one session.
 *
 * <p>usage: StFtpClient HOST PORT USER PASS BASE CELL MODE MLSD BIG SMALLDIR OUTDIR PARTIAL
 * MODE is pasv, epsv, port or eprt; MLSD is 1 when the server supports it. Commands and replies are printed
 * as "---> " and "<--- " lines; listings as "LIST name" / "MLSD name". Exit 0 when every step succeeded.
 */
public final class StFtpClient {

    /** Commons Net sends EPRT only on IPv6; this sends it on IPv4 too (the matrix's "EPRT on" mode). */
    static final class EprtClient extends FTPClient {
        @Override
        public int port(InetAddress host, int port) throws java.io.IOException {
            return eprt(host, port);
        }
    }

    static void check(FTPClient c, boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what + " failed: " + c.getReplyString().trim());
        }
    }

    public static void main(String[] a) throws Exception {
        String host = a[0];
        int port = Integer.parseInt(a[1]);
        String user = a[2], pass = a[3], base = a[4], cell = a[5], mode = a[6];
        boolean mlsd = a[7].equals("1");
        File big = new File(a[8]), smallDir = new File(a[9]), out = new File(a[10]), partial = new File(a[11]);
        FTPClient c = mode.equals("eprt") ? new EprtClient() : new FTPClient();
        c.addProtocolCommandListener(new ProtocolCommandListener() {
            @Override
            public void protocolCommandSent(ProtocolCommandEvent e) {
                String m = e.getMessage().trim();
                System.out.println("---> " + (m.startsWith("PASS ") ? "PASS ***" : m));
            }

            @Override
            public void protocolReplyReceived(ProtocolCommandEvent e) {
                for (String l : e.getMessage().split("\r?\n")) {
                    System.out.println("<--- " + l);
                }
            }
        });
        c.setConnectTimeout(20000);
        c.setDefaultTimeout(60000);
        c.setDataTimeout(java.time.Duration.ofSeconds(60));
        c.connect(host, port);
        check(c, FTPReply.isPositiveCompletion(c.getReplyCode()), "connect");
        check(c, c.login(user, pass), "login");
        check(c, c.setFileType(FTP.BINARY_FILE_TYPE), "TYPE I");
        switch (mode) {
            case "pasv" -> c.enterLocalPassiveMode();
            case "epsv" -> {
                c.enterLocalPassiveMode();
                c.setUseEPSVwithIPv4(true);
            }
            default -> c.enterLocalActiveMode();
        }
        check(c, c.changeWorkingDirectory(base), "CWD " + base);
        check(c, c.makeDirectory(cell), "MKD " + cell);
        check(c, c.changeWorkingDirectory(cell), "CWD " + cell);
        try (InputStream in = new FileInputStream(big)) {
            check(c, c.storeFile("big.bin", in), "STOR big.bin");
        }
        check(c, c.makeDirectory("small"), "MKD small");
        String[] names = smallDir.list();
        Arrays.sort(names);
        for (String n : names) {
            try (InputStream in = new FileInputStream(new File(smallDir, n))) {
                check(c, c.storeFile("small/" + n, in), "STOR small/" + n);
            }
        }
        FTPFile[] listed = c.listFiles("small");
        check(c, FTPReply.isPositiveCompletion(c.getReplyCode()), "LIST");
        for (FTPFile f : listed) {
            System.out.println("LIST " + f.getName());
        }
        if (mlsd) {
            FTPFile[] ml = c.mlistDir("small");
            check(c, FTPReply.isPositiveCompletion(c.getReplyCode()), "MLSD");
            for (FTPFile f : ml) {
                System.out.println("MLSD " + f.getName());
            }
        }
        File outSmall = new File(out, "small");
        outSmall.mkdirs();
        try (OutputStream o = new FileOutputStream(new File(out, "big.bin"))) {
            check(c, c.retrieveFile("big.bin", o), "RETR big.bin");
        }
        for (String n : names) {
            try (OutputStream o = new FileOutputStream(new File(outSmall, n))) {
                check(c, c.retrieveFile("small/" + n, o), "RETR small/" + n);
            }
        }
        c.setRestartOffset(partial.length());
        try (OutputStream o = new FileOutputStream(partial, true)) {
            check(c, c.retrieveFile("big.bin", o), "REST+RETR big.bin");
        }
        c.logout();
        c.disconnect();
        System.out.println("DONE");
    }
}
