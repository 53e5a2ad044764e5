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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit events as JSON lines (one object per line) to a file or stdout.
 *
 * <p>Event-loop threads only enqueue; one writer thread serialises and writes, so a slow disk never stalls
 * a session. The file is opened in append mode so log shippers can tail it, and {@link #reopen} opens it
 * again by its name, for log rotation.
 */
public final class JsonLinesAuditLog implements AuditSink {

    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesAuditLog.class);
    /** Events held in memory at most; beyond this the oldest pressure is relieved by blocking-free dropping. */
    private static final int QUEUE_CAPACITY = 65_536;
    /** How long {@link #reopen} waits for the writer to reach its request behind the events already queued. */
    private static final long REOPEN_WAIT_SECONDS = 5;
    private static final Object POISON = new Object();

    /** A request to reopen the file, queued behind the events emitted before it; completed by the writer. */
    private record Reopen(CompletableFuture<Boolean> done) {
    }

    private final ObjectMapper mapper = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    /** Audit events, and the {@link Reopen} and {@link #POISON} markers between them, in emission order. */
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    /** The file's path, or null for stdout (never reopened). */
    private final Path path;
    /** Written by the writer thread only; {@link #close} reads it after the writer has ended. */
    private volatile OutputStream out;
    private final boolean closeOut;
    private final Thread writer;
    private volatile boolean closed;
    private long dropped;

    private JsonLinesAuditLog(Path path, OutputStream out, boolean closeOut) {
        this.path = path;
        this.out = out;
        this.closeOut = closeOut;
        this.writer = new Thread(this::drain, "ftpgate-audit");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Opens {@code target}: a file path (created, appended to) or {@code "-"} for stdout. */
    public static JsonLinesAuditLog open(String target) throws IOException {
        if ("-".equals(target)) {
            return new JsonLinesAuditLog(null, System.out, false);
        }
        Path path = Path.of(target);
        return new JsonLinesAuditLog(path, openFile(path), true);
    }

    private static OutputStream openFile(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("audit log directory does not exist: " + parent);
        }
        return new BufferedOutputStream(new FileOutputStream(path.toFile(), true));
    }

    /**
     * Opens the file again by its name, for log rotation ({@code mv audit.jsonl audit.jsonl.1}, then SIGHUP):
     * every event emitted before this call is written to the old file, every one emitted after it returns to
     * the new, and none is lost or written twice. Waits until the writer has switched files. Returns false, and writing goes on to
     * the old file, when the new one cannot be opened (logged) or the writer is stuck; true at once for stdout.
     * Thread-safe; events keep being accepted meanwhile.
     */
    @Override
    public boolean reopen() {
        if (path == null) {
            return true;
        }
        if (closed) {
            return false;
        }
        Reopen request = new Reopen(new CompletableFuture<>());
        try {
            if (!queue.offer(request, REOPEN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.error("audit log not reopened: {} events are waiting to be written", queue.size());
                return false;
            }
            return request.done().get(REOPEN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("audit log not reopened: the writer did not get to it within {} s", REOPEN_WAIT_SECONDS);
            return false;
        }
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
        List<Object> batch = new ArrayList<>();
        try {
            while (true) {
                Object first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                boolean stop = false;
                for (Object e : batch) {
                    if (e == POISON) {
                        stop = true;
                    } else if (e instanceof Reopen r) {
                        boolean switched = false;
                        try {
                            switched = switchFile();
                        } finally {
                            r.done().complete(switched);  // also when the old file failed: no one waits in vain
                        }
                    } else {
                        mapper.writeValue(out, ((AuditEvent) e).fields());
                        out.write('\n');
                    }
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

    /** Writer thread: the events so far to the old file, then the new one; the old one stays on failure. */
    private boolean switchFile() throws IOException {
        out.flush();
        OutputStream next;
        try {
            next = openFile(path);
        } catch (IOException e) {
            LOG.error("cannot reopen audit log {}; events go on to the file already open: {}", path, e.getMessage());
            return false;
        }
        OutputStream old = out;
        out = next;
        try {
            old.close();
        } catch (IOException e) {
            LOG.warn("closing the rotated audit log: {}", e.toString());
        }
        LOG.info("audit log reopened: {}", path);
        return true;
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
