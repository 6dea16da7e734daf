package dev.rosetta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rosetta.dialect.ProviderType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The platform types' and compat presets' keys: defaults, requirements and misplaced keys, each with its path. */
class PlatformConfigTest {

    private static List<String> problems(String providers) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse("providers:\n" + providers + "models: []\n", k -> null));
        assertThat(e).as("a configuration error").isNotNull();
        return e.problems();
    }

    private static ProviderConfig provider(String providers) {
        return ConfigLoader.parse("providers:\n" + providers + "models: []\n", k -> null).providers().get(0);
    }

    @Test
    void hostsFollowFromLocationAndRegion() {
        assertThat(provider("""
                  - {name: v, type: vertex, project: p, location: us-east5}
                """).baseUrl()).isEqualTo("https://us-east5-aiplatform.googleapis.com");
        assertThat(provider("""
                  - {name: v, type: vertex, project: p, location: global}
                """).baseUrl()).isEqualTo("https://aiplatform.googleapis.com");
        ProviderConfig b = provider("""
                  - {name: b, type: bedrock, region: eu-west-3, access_key_id: AKID, secret_access_key: s}
                """);
        assertThat(b.baseUrl()).isEqualTo("https://bedrock-runtime.eu-west-3.amazonaws.com");
        assertThat(b.type()).isEqualTo(ProviderType.BEDROCK);
        assertThat(b.passthrough()).isFalse();
        assertThat(provider("""
                  - {name: o, type: openai, compat: groq, base_url: "https://api.groq.com/openai/v1", api_key: k}
                """).platform().compat()).contains(Compat.GROQ);
    }

    @Test
    void eachProblemIsReportedWithItsPath() {
        assertThat(problems("""
                  - {name: a, type: azure_openai, api_key: k}
                  - {name: v, type: vertex}
                  - {name: b, type: bedrock, access_key_id: AKID}
                  - {name: o, type: openai, api_key: k, compat: llamafile, location: x}
                  - {name: g, type: gemini, api_key: k, region: us-east-1}
                """)).containsExactlyInAnyOrder(
                "providers[0].base_url: required for a provider of type azure_openai (the resource endpoint)",
                "providers[1].location: required for a provider of type vertex (a region such as us-east5, or global)",
                "providers[1].project: required for a provider of type vertex (the Google Cloud project id)",
                "providers[2].region: required for a provider of type bedrock (such as us-east-1)",
                "providers[2].secret_access_key: access_key_id and secret_access_key go together",
                "providers[3].compat: unknown preset \"llamafile\" (expected one of [ollama, vllm, openrouter, deepseek, groq, mistral, xai, together, fireworks])",
                "providers[3].location: only for a provider of type vertex",
                "providers[4].region: only for a provider of type bedrock");
    }

    @Test
    void azureNeedsAKeyOrATokenSource() {
        assertThat(problems("""
                  - {name: a, type: azure_openai, base_url: "https://r.openai.azure.com"}
                """)).containsExactly("providers[0].api_key: required for a provider of type azure_openai");
        assertThat(provider("""
                  - {name: a, type: azure_openai, base_url: "https://r.openai.azure.com", token_command: "echo t"}
                """).platform().tokenCommand()).contains("echo t");
    }
}
