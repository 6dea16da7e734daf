package dev.rosetta.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.config.ConfigLoader;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.StoreLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code deploy/}: every YAML parses; the Kubernetes objects carry what running replicas need (probes on
 * /ready and /health, requests, a non-root user, the Secret's variables, a disruption budget); the
 * configuration they mount is valid for Rosetta with those variables and is the same in the ConfigMap
 * and the compose file; the compose file runs two replicas, PostgreSQL, Redis and nginx in front of both.
 */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of("deploy");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    private static Map<String, Object> kube(String kind) throws IOException {
        try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
            for (Path f : files.toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                    if (doc != null && kind.equals(map(doc).get("kind"))) {
                        return map(doc);
                    }
                }
            }
        }
        throw new AssertionError("no " + kind + " in deploy/kubernetes");
    }

    @Test
    void everyYamlFileParses() throws IOException {
        List<Path> yamls = new ArrayList<>();
        try (Stream<Path> all = Files.walk(DEPLOY)) {
            all.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).forEach(yamls::add);
        }
        assertThat(yamls).hasSizeGreaterThanOrEqualTo(8);
        for (Path p : yamls) {
            for (Object doc : new Yaml().loadAll(Files.readString(p))) {
                assertThat(doc).as(p.toString()).isInstanceOf(Map.class);
            }
        }
    }

    @Test
    void theDeploymentProbesReadyAndHealthRunsAsNonRootAndRequestsTheMeasuredFootprint() throws IOException {
        Map<String, Object> d = kube("Deployment");
        Map<String, Object> spec = map(d.get("spec"));
        assertThat((Integer) spec.get("replicas")).isGreaterThanOrEqualTo(2);
        Map<String, Object> pod = map(map(spec.get("template")).get("spec"));
        assertThat(map(pod.get("securityContext")).get("runAsNonRoot")).isEqualTo(true);
        assertThat((Integer) map(pod.get("securityContext")).get("runAsUser")).isNotZero();
        Map<String, Object> c = map(list(pod.get("containers")).getFirst());
        assertThat(map(map(c.get("readinessProbe")).get("httpGet")).get("path")).isEqualTo("/ready");
        assertThat(map(map(c.get("livenessProbe")).get("httpGet")).get("path")).isEqualTo("/health");
        Map<String, Object> requests = map(map(c.get("resources")).get("requests"));
        assertThat(requests).containsKeys("cpu", "memory");
        assertThat(map(list(c.get("envFrom")).getFirst()).toString()).contains("rosetta-secrets");
        assertThat((Integer) pod.get("terminationGracePeriodSeconds")).isGreaterThan(25);
        assertThat(list(c.get("volumeMounts")).toString()).contains("/etc/rosetta");

        Map<String, Object> pdb = kube("PodDisruptionBudget");
        assertThat(map(pdb.get("spec"))).containsKey("maxUnavailable");
        assertThat(map(kube("Service").get("spec")).get("selector")).isEqualTo(
                map(spec.get("selector")).get("matchLabels"));
    }

    @Test
    void theMountedConfigurationIsValidWithTheSecretsVariablesAndSharedByEveryReplica() throws IOException {
        Map<String, Object> secret = map(kube("Secret").get("stringData"));
        assertThat(secret).containsKeys("ROSETTA_STATE_SECRET", "ROSETTA_ADMIN_KEY", "OPENAI_API_KEY",
                "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "ROSETTA_STORE", "ROSETTA_REDIS");
        String inConfigMap = (String) map(kube("ConfigMap").get("data")).get("rosetta.yaml");
        String file = Files.readString(DEPLOY.resolve("rosetta.yaml"));
        assertThat(inConfigMap).isEqualTo(file);
        GatewayConfig config = ConfigLoader.parse(file, name -> (String) secret.get(name));
        assertThat(config.stateSecret()).isPresent();
        assertThat(config.auth().store().kind()).isEqualTo(StoreLocation.Kind.POSTGRESQL);
        assertThat(config.limiter().redis()).isPresent();
        assertThat(config.server().host()).isEqualTo("0.0.0.0");
        assertThat(config.server().shutdownGrace().toSeconds()).isLessThan(30);
        assertThat(file).contains("# cache:");
        // the image's own default configuration loads as well
        ConfigLoader.parse(Files.readString(DEPLOY.resolve("image/root/etc/rosetta/rosetta.yaml")), name -> null);
    }

    @Test
    void composeRunsTwoReplicasBehindNginxWithPostgresAndRedis() throws IOException {
        Map<String, Object> compose = map(new Yaml().load(Files.readString(DEPLOY.resolve("compose/compose.yaml"))));
        Map<String, Object> services = map(compose.get("services"));
        assertThat(services).containsKeys("rosetta-1", "rosetta-2", "nginx", "postgres", "redis");
        for (String replica : List.of("rosetta-1", "rosetta-2")) {
            Map<String, Object> r = map(services.get(replica));
            assertThat(r.get("image").toString()).startsWith("rosetta:");
            assertThat(list(r.get("volumes")).toString()).contains("rosetta.yaml:/etc/rosetta/rosetta.yaml");
            assertThat(map(r.get("environment")).get("ROSETTA_STORE").toString()).contains("@postgres:5432");
        }
        String nginx = Files.readString(DEPLOY.resolve("compose/nginx.conf"));
        assertThat(nginx).contains("server rosetta-1:8080").contains("server rosetta-2:8080")
                .contains("proxy_buffering off").contains("proxy_next_upstream");
    }
}
