package dev.rosetta.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BatchingConsoleAppenderTest {

    private final LoggerContext context = new LoggerContext();

    private LoggingEvent event(String message) {
        return new LoggingEvent("test", context.getLogger("rosetta.access"), Level.INFO, message, null, null);
    }

    @Test
    void writesEveryLineInOrderByTheNextFlushAndTheRestOnStop() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            BatchingConsoleAppender appender = new BatchingConsoleAppender();
            appender.setContext(context);
            appender.setTarget("System.err");
            appender.setFlushMillis(10);
            appender.start();
            appender.doAppend(event("{\"n\":1}"));
            appender.doAppend(event("{\"n\":2,\"text\":\"ü\"}"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (captured.size() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}\n{\"n\":2,\"text\":\"ü\"}\n");
            appender.setFlushMillis(60_000);
            for (int i = 3; i <= 1000; i++) {
                appender.doAppend(event("{\"n\":" + i + "}"));
            }
            appender.stop();
            String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
            assertThat(lines).hasSize(1000);
            assertThat(lines[999]).isEqualTo("{\"n\":1000}");
            assertThat(appender.dropped()).isZero();
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void dropsLinesInsteadOfBlockingWhileStdoutIsBlocked() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        java.util.concurrent.CountDownLatch unblock = new java.util.concurrent.CountDownLatch(1);
        System.setOut(new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                captured.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                captured.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        try {
            BatchingConsoleAppender appender = new BatchingConsoleAppender();
            appender.setContext(context);
            appender.setFlushMillis(60_000);
            appender.setHighWaterBytes(100_000);
            appender.setMaxBytes(1_000_000);
            appender.start();
            String line = "x".repeat(99);
            long started = System.nanoTime();
            for (int i = 0; i < 20_000; i++) {
                appender.doAppend(event(line));
            }
            assertThat(System.nanoTime() - started).as("never blocks").isLessThan(4_000_000_000L);
            unblock.countDown();
            appender.stop();
            long written = captured.toString(StandardCharsets.UTF_8).lines().count();
            assertThat(appender.dropped()).isPositive();
            assertThat(written + appender.dropped()).isEqualTo(20_000);
        } finally {
            System.setOut(saved);
        }
    }
}
