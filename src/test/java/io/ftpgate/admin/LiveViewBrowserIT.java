package io.ftpgate.admin;

import static io.ftpgate.it.RecordingAuditSink.field;
import static io.ftpgate.it.RecordingAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.auditor.it.ExternalServer;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.control.Gateway;
import io.ftpgate.it.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live view in a real browser: Debian's headless Chromium, driven by Selenium through Debian's
 * chromedriver, opens the page while transfers run through a real gateway (Commons Net → ftpgate → Apache MINA
 * FtpServer), sees the session rows appear and the counters move, and ends a session with its button. The
 * screenshot it takes (target/live-view.png) is the README's (docs/live-view.png).
 *
 * <p>Chromium and chromedriver come from Debian ({@code apt-get install -y chromium chromium-driver}; .ci/run
 * installs them). Without them the test is skipped, or, with {@code FTPGATE_REQUIRE_PEERS=1} (CI), fails.
 */
class LiveViewBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The background downloads stop by themselves after this many, whatever the test does. */
    private static final int MAX_DOWNLOADS = 5_000;
    private static final int FILE_SIZE = 256 * 1024;

    @TempDir
    Path root;

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1050", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static FTPClient login(AdminFixture f, String user, String password) throws Exception {
        FTPClient c = new FTPClient();
        c.setDefaultTimeout(10_000);
        c.connect(f.ftp().getAddress(), f.ftp().getPort());
        assertThat(c.login(user, password)).as(c.getReplyString()).isTrue();
        c.setFileType(FTP.BINARY_FILE_TYPE);
        c.enterLocalPassiveMode();
        return c;
    }

    @Test
    void thePageShowsSessionsAndCountersMoveAndEndsASession() throws Exception {
        ExternalServer.require(CHROMIUM, "chromium");
        ExternalServer.require(CHROMEDRIVER, "chromium-driver");
        byte[] data = Bytes.random(42, FILE_SIZE);
        Files.write(root.resolve("data.bin"), data);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger downloads = new AtomicInteger();
        try (AdminFixture f = new AdminFixture(root, null, 54500)) {
            WebDriver browser = chromium();
            Thread transfers = null;
            try {
                browser.get(f.base() + "/");
                WebDriverWait wait = new WebDriverWait(browser, WAIT);
                wait.until(ExpectedConditions.textToBe(By.id("stream-state"), "live"));

                // An idle session the administrator will end, and one downloading all the time.
                FTPClient idle = login(f, "anonymous", AdminFixture.SECRET);
                FTPClient busy = login(f, DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD);
                assertThat(busy.sendCommand("PORT", "127,0,0,2,195,80")).isEqualTo(501); // a refusal to show
                transfers = new Thread(() -> {
                    try {
                        while (!stop.get() && downloads.get() < MAX_DOWNLOADS) {
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            if (!busy.retrieveFile("/data.bin", out) || out.size() != FILE_SIZE) {
                                return;
                            }
                            downloads.incrementAndGet();
                        }
                    } catch (Exception e) {
                        // The session ends with the test.
                    }
                }, "downloads");
                transfers.start();

                By idleRow = By.xpath("//table[@id='sessions']//tr[td[4][text()='anonymous']]");
                WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(idleRow));
                String id = row.getAttribute("data-session");
                wait.until(ExpectedConditions.visibilityOfElementLocated(
                        By.xpath("//table[@id='sessions']//tr[td[4][text()='demo']]")));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#refusals tbody"),
                        "port-foreign-address"));

                long first = counter(browser, "total-transfers");
                wait.until(d -> counter(d, "total-transfers") >= first + 3);
                wait.until(d -> counter(d, "total-transfers") > counter(d, "total-sessions"));
                assertThat(Long.parseLong(browser.findElement(By.id("total-bytes")).getAttribute("data-bytes")))
                        .isGreaterThanOrEqualTo((long) FILE_SIZE * 3);
                // The chart has drawn the transfers: a polyline with points above the baseline.
                wait.until(d -> !d.findElements(By.cssSelector("#chart-transfers polyline")).isEmpty());

                Path shot = Path.of("target", "live-view.png");
                Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
                assertThat(browser.getPageSource()).doesNotContain(AdminFixture.SECRET);

                browser.findElement(idleRow).findElement(By.cssSelector("button.end")).click();
                assertThat(wait.until(ExpectedConditions.alertIsPresent()).getText()).contains(id);
                browser.switchTo().alert().accept();
                wait.until(ExpectedConditions.invisibilityOfElementLocated(idleRow));
                AuditEvent close = f.gw.audit.awaitEvent(type("session-close").and(field("session", id)), WAIT);
                assertThat(close.get("reason")).isEqualTo(Gateway.ADMIN_ENDED);
                assertThatThrownBy(idle::noop).isInstanceOf(FTPConnectionClosedException.class);
                assertThat(idle.getReplyString()).startsWith("421");
                // The other session goes on.
                long before = downloads.get();
                wait.until(d -> downloads.get() > before);
            } finally {
                stop.set(true);
                if (transfers != null) {
                    transfers.join(WAIT.toMillis());
                }
                browser.quit();
            }
        }
    }

    private static long counter(WebDriver d, String id) {
        return Long.parseLong(d.findElement(By.id(id)).getText().trim());
    }
}
