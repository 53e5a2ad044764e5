import io.ftpgate.cli.DemoUpstream;
import java.nio.file.Path;

/** Runs ftpgate's MINA demo upstream alone on one address (IP checks on); prints its control port. */
public final class StMina {
    public static void main(String[] args) throws Exception {
        DemoUpstream server = new DemoUpstream();
        int port = server.start(Path.of(args[0]), true, args[1]);
        System.out.println(port);
        System.out.flush();
        Thread.currentThread().join();
    }
}
