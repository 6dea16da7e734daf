package dev.rosetta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws InterruptedException {
        return Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anInvalidConfigFileExitsWith2AndNamesTheKeyAndReason(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                providers:
                  - name: claude
                    type: anthropic
                    api_key: k
                models:
                  - name: m
                    provider: claud
                """);

        assertThat(run("--config", file.toString())).isEqualTo(2);
        assertThat(err()).contains("invalid configuration in " + file)
                .contains("models[0].provider: unknown provider \"claud\"");
    }

    @Test
    void aMissingConfigFileExitsWith2(@TempDir Path dir) throws Exception {
        assertThat(run("-c", dir.resolve("none.yaml").toString())).isEqualTo(2);
        assertThat(err()).contains("none.yaml: no such file");
    }

    @Test
    void helpPrintsUsageAndExits0() throws Exception {
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("Usage:").contains("--config FILE").contains("--port N");
        assertThat(err()).isEmpty();
    }

    @Test
    void aBadPortExitsWith2() throws Exception {
        assertThat(run("--port", "eighty")).isEqualTo(2);
        assertThat(err()).contains("--port: not a port number: eighty");
        err.reset();
        assertThat(run("--port", "70000")).isEqualTo(2);
        assertThat(err()).contains("not a port number: 70000");
        err.reset();
        assertThat(run("--port")).isEqualTo(2);
        assertThat(err()).contains("--port needs a number");
    }

    @Test
    void anUnknownArgumentExitsWith2() throws Exception {
        assertThat(run("--verbose")).isEqualTo(2);
        assertThat(err()).contains("unknown argument --verbose");
    }
}
