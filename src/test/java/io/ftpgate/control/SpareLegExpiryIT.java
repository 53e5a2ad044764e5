package io.ftpgate.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.config.Timeouts;
import io.ftpgate.it.GatewayFixture;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.ScriptedFtpServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A spare server leg that no transfer takes is closed after {@link DataBroker#spareIdleMillis} (shortened
 * here), so a server's own idle timeout on data connections never fires for a leg the client did not ask
 * for; the next transfer then opens a fresh leg. In this package because the idle time is package-private.
 */
class SpareLegExpiryIT {

    @Test
    void anIdleSpareIsClosedAndTheNextTransferOpensAFreshLeg() throws Exception {
        try (ScriptedFtpServer server = new ScriptedFtpServer();
                GatewayFixture gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", server.port())
                        .dataPorts(58000, 59000)
                        .timeouts(Timeouts.DEFAULTS.withSpareLeg(Duration.ofMillis(300))).start();
                RawFtp ftp = RawFtp.open(gw.address())) {
            server.firstDataConnection = "watch";
            ftp.login("anonymous", "spare-expiry@example.org");
            ftp.cmd("EPSV");
            assertThat(server.firstDataConnectionDone.await(10, TimeUnit.SECONDS))
                    .as("the gateway closed the idle spare leg").isTrue();
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            try (java.net.Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(ftp.cmd("RETR file.bin").code()).isEqualTo(150);
                assertThat(RawFtp.readAll(d)).isEqualTo(server.retrData);
            }
            assertThat(ftp.read().code()).isEqualTo(226);
            assertThat(server.commands.stream().filter("PASV"::equals).count()).as(server.received()).isEqualTo(2);
        }
    }
}
