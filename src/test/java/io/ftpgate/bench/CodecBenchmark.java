package io.ftpgate.bench;

import io.ftpgate.control.WireWriter;
import io.ftpgate.protocol.DataAddresses;
import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpLimits;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import io.ftpgate.protocol.HostPort;
import io.ftpgate.protocol.LineScanner;
import io.ftpgate.protocol.LineViolation;
import io.ftpgate.protocol.ReplyAssembler;
import io.ftpgate.protocol.TelnetSignal;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH microbenchmarks of the control-line codecs: the per-line work ftpgate does on the control path. Run with
 * {@code bench/jmh.sh}; {@code mvn verify} only compiles them. Each benchmark handles one typical line (or one
 * small batch, stated in its name), so the score is the cost per control line.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    private static final FtpReply REPLY_150 =
            FtpReply.of(150, "Opening BINARY mode data connection for big.bin (1073741824 bytes).");
    /** The default allocator, whose buffers a channel's {@code alloc().buffer()} gives the gateway. */
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static final byte[] COMMAND = "RETR pub/releases/ftpgate-0.1.0.tar.gz\r\n".getBytes(StandardCharsets.ISO_8859_1);
    /** A session's worth of commands arriving in one read (pipelined client). */
    private static final byte[] BATCH = ("USER anonymous\r\nPASS guest@\r\nTYPE I\r\nPASV\r\nRETR a.bin\r\n"
            + "PASV\r\nRETR b.bin\r\nQUIT\r\n").getBytes(StandardCharsets.ISO_8859_1);
    /** ABOR the BSD way: IAC IP IAC DM, then the line (RFC 959 §4.1.3). */
    private static final byte[] TELNET_ABOR = {(byte) 255, (byte) 244, (byte) 255, (byte) 242, 'A', 'B', 'O', 'R',
        '\r', '\n'};

    private LineScanner commandScanner;
    private LineScanner replyScanner;
    private ReplyAssembler assembler;
    private Inet4Address address;
    private final Sink sink = new Sink();

    /** Counts what the scanner reports so the JIT cannot drop the work. */
    static final class Sink implements LineScanner.Sink {
        Blackhole bh;

        @Override
        public void line(String line) {
            bh.consume(line);
        }

        @Override
        public void telnet(TelnetSignal signal) {
            bh.consume(signal);
        }

        @Override
        public void violation(LineViolation v) {
            throw new IllegalStateException("unexpected violation " + v);
        }
    }

    @Setup
    public void setup() throws UnknownHostException {
        commandScanner = new LineScanner(FtpLimits.MAX_LINE_BYTES, true);
        replyScanner = new LineScanner(FtpLimits.MAX_LINE_BYTES, false);
        assembler = new ReplyAssembler();
        address = (Inet4Address) InetAddress.getByName("192.0.2.1");
    }

    @Benchmark
    public void scanCommandLine(Blackhole bh) {
        sink.bh = bh;
        commandScanner.feed(COMMAND, 0, COMMAND.length, sink);
    }

    @Benchmark
    public void scanEightPipelinedCommands(Blackhole bh) {
        sink.bh = bh;
        commandScanner.feed(BATCH, 0, BATCH.length, sink);
    }

    @Benchmark
    public void scanTelnetAbor(Blackhole bh) {
        sink.bh = bh;
        commandScanner.feed(TELNET_ABOR, 0, TELNET_ABOR.length, sink);
    }

    @Benchmark
    public void scanReplyLine(Blackhole bh) {
        sink.bh = bh;
        replyScanner.feed(COMMAND, 0, COMMAND.length, sink);
    }

    @Benchmark
    public FtpCommand parseCommand() throws FtpSyntaxException {
        return FtpCommand.parse("RETR pub/releases/ftpgate-0.1.0.tar.gz");
    }

    @Benchmark
    public String parseAndEncodeCommand() throws FtpSyntaxException {
        return FtpCommand.parse("STOR upload/report-2026-11.pdf").toLine();
    }

    @Benchmark
    public FtpReply assembleSingleLineReply() throws FtpSyntaxException {
        return assembler.accept("226 Transfer complete.");
    }

    @Benchmark
    public FtpReply assembleFeatReply() throws FtpSyntaxException {
        // FEAT: a five-line reply, the longest a normal session sees.
        assembler.accept("211-Features:");
        assembler.accept(" EPRT");
        assembler.accept(" EPSV");
        assembler.accept(" MDTM");
        assembler.accept(" SIZE");
        return assembler.accept("211 End");
    }

    @Benchmark
    public String encodeReply() {
        return FtpReply.of(150, "Opening BINARY mode data connection for big.bin (1073741824 bytes).").encode();
    }

    @Benchmark
    public HostPort parsePasvReply() throws FtpSyntaxException {
        return DataAddresses.parsePasvReply("Entering Passive Mode (198,51,100,20,195,149).");
    }

    @Benchmark
    public int parseEpsvReply() throws FtpSyntaxException {
        return DataAddresses.parseEpsvReply("Entering Extended Passive Mode (|||50069|)");
    }

    @Benchmark
    public HostPort parsePort() throws FtpSyntaxException {
        return DataAddresses.parsePort("192,0,2,10,195,80");
    }

    @Benchmark
    public HostPort parseEprt() throws FtpSyntaxException {
        return DataAddresses.parseEprt("|1|192.0.2.10|50000|");
    }

    /**
     * How the gateway wrote a reply before: encode to a String, copy to a byte[], copy into a buffer of the
     * default allocator. Run with {@code -prof gc} to compare the bytes allocated per reply with
     * {@link #writeReplyNow}.
     */
    @Benchmark
    public void writeReplyViaBytes() {
        byte[] wire = REPLY_150.encode().getBytes(StandardCharsets.ISO_8859_1);
        ALLOC.buffer(wire.length).writeBytes(wire).release();
    }

    /** How the gateway writes a reply now ({@code ClientReplies} through {@link WireWriter}). */
    @Benchmark
    public void writeReplyNow() {
        WireWriter.reply(ALLOC, REPLY_150).release();
    }

    /** How the gateway sends a command to the server ({@code Session.sendToServer} through {@link WireWriter}). */
    @Benchmark
    public void writeCommandNow() {
        WireWriter.line(ALLOC, "RETR pub/releases/ftpgate-0.1.0.tar.gz").release();
    }

    @Benchmark
    public String formatPasvReply() {
        return DataAddresses.pasvReply(address, 50123).encode();
    }
}
