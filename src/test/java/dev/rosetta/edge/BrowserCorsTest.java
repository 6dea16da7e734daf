package dev.rosetta.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.rosetta.testing.Browser;
import dev.rosetta.testing.TestGateway;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A real browser (headless Chromium) on a page from another origin calls the gateway with {@code fetch},
 * as a chat UI or an SDK's browser mode does: the preflight passes, the answer streams in chunk by chunk
 * and its exposed headers are readable; the admin API stays closed to the page.
 */
class BrowserCorsTest {

    @Test
    void aPageOnAnotherOriginStreamsAnAnswer() throws Exception {
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        int pagePort = pages.getAddress().getPort();
        try (TestGateway gw = TestGateway.start(TestGateway.KEYS_YAML + "cors: {origins: [\"http://localhost:" + pagePort + "\"]}\n")) {
            String page = PAGE.replace("GATEWAY", "http://127.0.0.1:" + gw.port()).replace("KEY", TestGateway.GATEWAY_KEY);
            pages.createContext("/", ex -> {
                byte[] b = page.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("content-type", "text/html; charset=utf-8");
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
                ex.close();
            });
            pages.start();
            try (Browser browser = Browser.start()) {
                browser.open("http://localhost:" + pagePort + "/");
                JsonNode r = new ObjectMapper().readTree((String) browser.await("return window.result || null;",
                        Duration.ofSeconds(60)));
                assertThat(r.path("error").asText()).isEmpty();
                assertThat(r.path("openai").path("status").asInt()).isEqualTo(200);
                assertThat(r.path("openai").path("text").asText()).contains("data: ", "[DONE]");
                assertThat(r.path("openai").path("events").asInt()).isGreaterThan(2);
                assertThat(r.path("openai").path("requestId").asText()).startsWith("req_");
                assertThat(r.path("anthropic").path("status").asInt()).isEqualTo(200);
                assertThat(r.path("anthropic").path("text").asText()).contains("event: message_stop");
                assertThat(r.path("admin").asText()).contains("TypeError");
            }
        } finally {
            pages.stop(0);
        }
    }

    private static final String PAGE = """
            <!doctype html><html><body><script>
            async function stream(path, headers, body) {
              const r = await fetch('GATEWAY' + path, {method: 'POST', headers: Object.assign({'content-type': 'application/json',
                  'x-stainless-lang': 'js', 'x-stainless-os': 'Unknown', 'x-stainless-retry-count': '0'}, headers),
                  body: JSON.stringify(body)});
              const reader = r.body.getReader();
              const decoder = new TextDecoder();
              let text = '', chunks = 0;
              for (;;) {
                const {done, value} = await reader.read();
                if (done) break;
                chunks++;
                text += decoder.decode(value, {stream: true});
              }
              return {status: r.status, chunks, text, events: (text.match(/data: /g) || []).length,
                      requestId: r.headers.get('x-rosetta-request-id')};
            }
            (async () => {
              try {
                const openai = await stream('/v1/chat/completions', {authorization: 'Bearer KEY'},
                    {model: 'mock-gpt', stream: true, messages: [{role: 'user', content: 'say something long'}]});
                const anthropic = await stream('/v1/messages', {'x-api-key': 'KEY', 'anthropic-version': '2023-06-01',
                    'anthropic-dangerous-direct-browser-access': 'true'},
                    {model: 'mock-claude', max_tokens: 64, stream: true, messages: [{role: 'user', content: 'hi'}]});
                let admin = 'answered';
                try {
                  await fetch('GATEWAY/admin/v1/keys', {headers: {authorization: 'Bearer KEY'}});
                } catch (e) {
                  admin = String(e);
                }
                window.result = JSON.stringify({openai, anthropic, admin});
              } catch (e) {
                window.result = JSON.stringify({error: String(e)});
              }
            })();
            </script></body></html>
            """;
}
