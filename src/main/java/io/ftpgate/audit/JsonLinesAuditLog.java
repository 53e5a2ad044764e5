package io.ftpgate.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit events as JSON lines (one object per line) to a file or stdout.
 *
 * <p>Event-loop threads only enqueue; one writer thread serialises and writes, so a slow disk never stalls
 * a session. The file is opened in append mode so log shippers can tail it.
 */
public final class JsonLinesAuditLog implements AuditSink {

    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesAuditLog.class);
    /** Events held in memory at most; beyond this the oldest pressure is relieved by blocking-free dropping. */
    private static final int QUEUE_CAPACITY = 65_536;
    private static final AuditEvent POISON = AuditEvent.of("poison", "", "");

    private final ObjectMapper mapper = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    private final BlockingQueue<AuditEvent> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final OutputStream out;
    private final boolean closeOut;
    private final Thread writer;
    private volatile boolean closed;
    private long dropped;

    private JsonLinesAuditLog(OutputStream out, boolean closeOut) {
        this.out = out;
        this.closeOut = closeOut;
        this.writer = new Thread(this::drain, "ftpgate-audit");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Opens {@code target}: a file path (created, appended to) or {@code "-"} for stdout. */
    public static JsonLinesAuditLog open(String target) throws IOException {
        if ("-".equals(target)) {
            return new JsonLinesAuditLog(System.out, false);
        }
        Path path = Path.of(target);
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("audit log directory does not exist: " + parent);
        }
        return new JsonLinesAuditLog(new BufferedOutputStream(new FileOutputStream(path.toFile(), true)), true);
    }

    @Override
    public void emit(AuditEvent event) {
        if (closed || !queue.offer(event)) {
            synchronized (this) {
                dropped++;
            }
        }
    }

    private void drain() {
        List<AuditEvent> batch = new ArrayList<>();
        try {
            while (true) {
                AuditEvent first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                boolean stop = false;
                for (AuditEvent e : batch) {
                    if (e == POISON) {
                        stop = true;
                        continue;
                    }
                    mapper.writeValue(out, e.fields());
                    out.write('\n');
                }
                out.flush();
                batch.clear();
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.error("audit log write failed; further audit events are lost: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            queue.put(POISON);
            writer.join(5_000);
            if (closeOut) {
                out.close();
            } else {
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("closing audit log: {}", e.toString());
        }
        synchronized (this) {
            if (dropped > 0) {
                LOG.warn("{} audit events were dropped (queue full or log closed)", dropped);
            }
        }
    }
}
