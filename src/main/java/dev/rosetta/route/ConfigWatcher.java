package dev.rosetta.route;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code watch_config: true}: reloads when the configuration file changes. Watches the file's folder
 * (editors and config-map mounts replace the file rather than write it), waits for the writes to settle
 * (250 ms without another event), then reloads. One daemon thread; never an event loop.
 */
public final class ConfigWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final long SETTLE_MS = 250;

    private final WatchService watch;
    private final Thread thread;

    public ConfigWatcher(Path file, Runnable reload) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        this.watch = FileSystems.getDefault().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        this.thread = Thread.ofPlatform().daemon().name("rosetta-config-watch").unstarted(() -> run(name, reload));
        thread.start();
    }

    private void run(String name, Runnable reload) {
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean ours = touched(key, name);
                // let a burst of writes settle into one reload
                WatchKey more;
                while ((more = watch.poll(SETTLE_MS, TimeUnit.MILLISECONDS)) != null) {
                    ours |= touched(more, name);
                }
                if (ours) {
                    reload.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        } catch (RuntimeException e) {
            LOG.error("configuration watch stopped", e);
        }
    }

    private static boolean touched(WatchKey key, String name) {
        boolean ours = false;
        for (WatchEvent<?> e : key.pollEvents()) {
            if (e.context() instanceof Path p && p.getFileName().toString().equals(name)) {
                ours = true;
            }
        }
        key.reset();
        return ours;
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            // closing
        }
        thread.interrupt();
    }
}
