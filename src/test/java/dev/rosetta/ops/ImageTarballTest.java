package dev.rosetta.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The container image as {@code ./rosetta image} writes it ({@code target/rosetta-image.tar}, Docker
 * format): its config (non-root user, the launcher's JVM flags, the port, the health check on /ready,
 * the config file it reads) and its files (the runtime, the default config, a writable /tmp). When a
 * Docker daemon answers, the image is also loaded, run, and asked for /ready. Without the tarball the
 * test is skipped locally and fails in CI (.ci/run builds the image before the tests).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageTarballTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TARBALL = Path.of("target/rosetta-image.tar");

    private JsonNode config;
    /** Every file of every layer: path to {mode, uid}. */
    private final Map<String, long[]> files = new HashMap<>();
    private final Map<String, byte[]> small = new HashMap<>();

    @BeforeAll
    void read() throws IOException {
        if (!Files.exists(TARBALL)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("no " + TARBALL + ": .ci/run builds it with ./rosetta image before the tests");
            }
            return;
        }
        Map<String, byte[]> outer = Tar.read(Files.newInputStream(TARBALL), name -> true, null);
        JsonNode manifest = JSON.readTree(outer.get("manifest.json"));
        assertThat(manifest).hasSize(1);
        config = JSON.readTree(outer.get(manifest.get(0).get("Config").asText()));
        for (JsonNode layer : manifest.get(0).get("Layers")) {
            byte[] bytes = outer.get(layer.asText());
            InputStream in = new java.io.ByteArrayInputStream(bytes);
            if (layer.asText().endsWith(".gz")) {
                in = new GZIPInputStream(in);
            }
            small.putAll(Tar.read(in, name -> name.endsWith("etc/rosetta/rosetta.yaml")
                    || name.endsWith("app/jib-classpath-file") || name.endsWith("etc/passwd"), files));
        }
    }

    private void needImage() {
        assumeTrue(config != null, "no " + TARBALL + " (build it with ./rosetta image); skipped");
    }

    @Test
    void runsAsANonRootUserThatExists() {
        needImage();
        String user = config.path("config").path("User").asText();
        assertThat(user).isNotEmpty().doesNotStartWith("0").isNotEqualTo("root");
        String uid = user.split(":")[0];
        assertThat(new String(small.get("etc/passwd"), StandardCharsets.UTF_8)).contains(":" + uid + ":");
        assertThat(files.get("tmp")[0] & 01777).as("/tmp is world-writable and sticky").isEqualTo(01777);
        assertThat(files.get("home/rosetta")[1]).isEqualTo(Long.parseLong(uid));
    }

    @Test
    void startsTheGatewayWithTheLaunchersJvmFlagsAndTheMountedConfig() throws IOException {
        needImage();
        List<String> entry = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(a -> entry.add(a.asText()));
        List<String> cmd = new ArrayList<>();
        config.path("config").path("Cmd").forEach(a -> cmd.add(a.asText()));
        assertThat(entry.getFirst()).isEqualTo("/opt/java/bin/java");
        assertThat(entry.getLast()).isEqualTo("dev.rosetta.Main");
        for (String flag : launcherFlags()) {
            assertThat(entry).as("the flag %s of ./rosetta start", flag).anyMatch(a -> a.equals(flag)
                    || flag.startsWith("-XX:SharedArchiveFile=") && a.startsWith("-XX:SharedArchiveFile="));
        }
        assertThat(cmd).containsExactly("--config", "/etc/rosetta/rosetta.yaml");
        assertThat(files).containsKeys("opt/java/bin/java", "etc/rosetta/rosetta.yaml", "app/jib-classpath-file",
                "lib64/ld-linux-x86-64.so.2");
        assertThat(new String(small.get("etc/rosetta/rosetta.yaml"), StandardCharsets.UTF_8)).contains("host: 0.0.0.0")
                .contains("port: 8080");
    }

    @Test
    void exposesItsPortAndChecksItsHealthOnReady() {
        needImage();
        assertThat(config.path("config").path("ExposedPorts").has("8080/tcp")).isTrue();
        JsonNode health = config.path("config").path("Healthcheck");
        List<String> test = new ArrayList<>();
        health.path("Test").forEach(a -> test.add(a.asText()));
        assertThat(test.getFirst()).isEqualTo("CMD");
        assertThat(test).contains("dev.rosetta.cli.Probe", "http://127.0.0.1:8080/ready");
        assertThat(health.path("Interval").asLong()).isPositive();
    }

    @Test
    void whenADockerDaemonAnswersTheImageRunsAndIsReady() throws Exception {
        needImage();
        assumeTrue(run(List.of("docker", "info"), 10) == 0, "no Docker daemon answers; the image was inspected only");
        assertThat(run(List.of("docker", "load", "-i", TARBALL.toString()), 120)).isZero();
        String name = "rosetta-image-test-" + ProcessHandle.current().pid();
        assertThat(run(List.of("docker", "run", "-d", "--rm", "--name", name, "-p", "127.0.0.1::8080",
                "rosetta:0.1.0-SNAPSHOT"), 60)).isZero();
        try {
            Process port = new ProcessBuilder("docker", "port", name, "8080/tcp").start();
            String mapped = new String(port.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().lines()
                    .findFirst().orElseThrow();
            HttpClient http = HttpClient.newHttpClient();
            int status = 0;
            for (int i = 0; i < 60 && status != 200; i++) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create("http://" + mapped + "/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException e) {
                    Thread.sleep(1000);
                }
            }
            assertThat(status).isEqualTo(200);
        } finally {
            run(List.of("docker", "rm", "-f", name), 30);
        }
    }

    private static int run(List<String> command, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** The JVM flags of {@code ./rosetta start}, read from the launcher. */
    private static List<String> launcherFlags() throws IOException {
        String launcher = Files.readString(Path.of("rosetta"));
        String start = launcher.substring(launcher.indexOf("\n  start)"));
        String exec = start.substring(start.indexOf("exec \"$JAVA_HOME/bin/java\""));
        exec = exec.substring(0, exec.indexOf("-jar"));
        List<String> flags = Arrays.stream(exec.split("\\s+")).filter(a -> a.startsWith("-X")).toList();
        assertThat(flags).contains("-XX:+UseSerialGC", "-Xmx256m");
        return flags;
    }

    /** A minimal reader of (ustar/pax/gnu) tar streams: names, modes, owners, and the bodies asked for. */
    static final class Tar {
        private Tar() {
        }

        static Map<String, byte[]> read(InputStream in, java.util.function.Predicate<String> keep,
                                        Map<String, long[]> entries) throws IOException {
            Map<String, byte[]> kept = new HashMap<>();
            byte[] header = new byte[512];
            String longName = null;
            try (in) {
                while (in.readNBytes(header, 0, 512) == 512) {
                    if (header[0] == 0) {
                        break;
                    }
                    String name = cString(header, 0, 100);
                    String prefix = cString(header, 345, 155);
                    long mode = octal(header, 100, 8);
                    long uid = octal(header, 108, 8);
                    long size = octal(header, 124, 12);
                    char type = (char) header[156];
                    byte[] body = in.readNBytes((int) size);
                    in.skipNBytes((512 - size % 512) % 512);
                    if (type == 'L') {
                        longName = cString(body, 0, body.length);
                        continue;
                    }
                    if (type == 'x') {
                        String pax = new String(body, StandardCharsets.UTF_8);
                        for (String line : pax.split("\n")) {
                            int sp = line.indexOf(' ');
                            if (sp > 0 && line.substring(sp + 1).startsWith("path=")) {
                                longName = line.substring(sp + 6);
                            }
                        }
                        continue;
                    }
                    if (type == 'g') {
                        continue;
                    }
                    String path = longName != null ? longName : prefix.isEmpty() ? name : prefix + "/" + name;
                    longName = null;
                    path = path.replaceFirst("^\\./", "").replaceFirst("^/", "").replaceFirst("/$", "");
                    if (entries != null) {
                        entries.put(path, new long[] {mode, uid});
                    }
                    if (keep.test(path)) {
                        kept.put(path, body);
                    }
                }
            }
            return kept;
        }

        private static String cString(byte[] b, int off, int len) {
            int end = off;
            while (end < off + len && b[end] != 0) {
                end++;
            }
            return new String(b, off, end - off, StandardCharsets.UTF_8);
        }

        private static long octal(byte[] b, int off, int len) {
            String s = cString(b, off, len).trim();
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        }
    }
}
