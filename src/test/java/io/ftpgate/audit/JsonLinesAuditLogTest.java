package io.ftpgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log rotation (issue 11): after {@code mv audit.jsonl audit.jsonl.1}, events went on into the moved file until
 * the gateway was restarted. {@link JsonLinesAuditLog#reopen} must switch to a new file by the same name, with
 * no event lost or written twice, while events keep coming from other threads.
 */
class JsonLinesAuditLogTest {

    private static final int EMITTERS = 4;
    private static final int ROTATIONS = 3;
    private static final int MARKED = 50;
    private static final long EMIT_PAUSE_NANOS = 50_000;

    @TempDir
    Path dir;

    @Test
    void reopenAfterRenameWritesEveryLaterEventToTheNewFileAndLosesNone() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        JsonLinesAuditLog log = JsonLinesAuditLog.open(file.toString());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger emitted = new AtomicInteger();
        List<Thread> emitters = new ArrayList<>();
        for (int t = 0; t < EMITTERS; t++) {
            String name = "emitter-" + t;
            Thread th = new Thread(() -> {
                for (int i = 0; running.get(); i++) {
                    log.emit(AuditEvent.of("test", name, "127.0.0.1:1").with("n", i));
                    emitted.incrementAndGet();
                    LockSupport.parkNanos(EMIT_PAUSE_NANOS);  // steady traffic, well below the queue's capacity
                }
            }, name);
            th.start();
            emitters.add(th);
        }
        List<Path> rotated = new ArrayList<>();
        for (int r = 1; r <= ROTATIONS; r++) {
            mark(log, "before-" + r);
            Thread.sleep(20);
            Path moved = dir.resolve("audit.jsonl." + r);
            Files.move(file, moved);
            rotated.add(moved);
            mark(log, "between-" + r);  // emitted after the rename, before the reopen: still the old file
            assertThat(log.reopen()).as("reopen %d", r).isTrue();
            assertThat(file).as("the new file exists once reopen() returns").exists();
            mark(log, "after-" + r);
        }
        running.set(false);
        for (Thread th : emitters) {
            th.join();
        }
        log.close();

        List<Map<String, Object>> all = new ArrayList<>();
        List<List<Map<String, Object>>> byFile = new ArrayList<>();
        for (Path p : append(rotated, file)) {
            List<Map<String, Object>> events = AuditFiles.read(p);
            byFile.add(events);
            all.addAll(events);
        }
        assertThat(all).as("every event once, across the files").hasSize(emitted.get() + 3 * MARKED * ROTATIONS);
        assertThat(all.stream().map(e -> e.get("session") + "#" + e.get("n") + "#" + e.get("event")).distinct())
                .as("no event twice").hasSize(all.size());
        for (int r = 1; r <= ROTATIONS; r++) {
            assertThat(sessions(byFile.get(r - 1))).as("file %d", r).contains("before-" + r, "between-" + r)
                    .doesNotContain("after-" + r);
            assertThat(sessions(byFile.get(r))).as("file %d", r + 1).contains("after-" + r)
                    .doesNotContain("before-" + r, "between-" + r);
        }
    }

    @Test
    void reopenOfStdoutIsANoOp() throws Exception {
        JsonLinesAuditLog log = JsonLinesAuditLog.open("-");
        assertThat(log.reopen()).isTrue();
        log.close();
    }

    @Test
    void reopenIntoAVanishedDirectoryKeepsWritingToTheOpenFile() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path file = sub.resolve("audit.jsonl");
        JsonLinesAuditLog log = JsonLinesAuditLog.open(file.toString());
        Path moved = Files.move(sub, dir.resolve("sub.old"));
        assertThat(log.reopen()).isFalse();
        mark(log, "still-here");
        log.close();
        assertThat(sessions(AuditFiles.read(moved.resolve("audit.jsonl")))).containsOnly("still-here");
    }

    private static void mark(JsonLinesAuditLog log, String session) {
        for (int i = 0; i < MARKED; i++) {
            log.emit(AuditEvent.of("mark", session, "127.0.0.1:2").with("n", i));
        }
    }

    private static List<Path> append(List<Path> paths, Path last) {
        List<Path> all = new ArrayList<>(paths);
        all.add(last);
        return all;
    }

    private static List<Object> sessions(List<Map<String, Object>> events) {
        return events.stream().filter(e -> "mark".equals(e.get("event"))).map(e -> e.get("session")).distinct()
                .toList();
    }
}
