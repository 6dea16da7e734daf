package dev.rosetta.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fake's SigV4 check against AWS's published test vectors (the Signature Version 4 test suite's get-vanilla). */
class SigV4VerifierTest {

    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    @Test
    void getVanilla() {
        String sig = SigV4Verifier.signature("GET", "/", "", Map.of("host", "example.amazonaws.com",
                "x-amz-date", "20150830T123600Z"), List.of("host", "x-amz-date"), new byte[0], SECRET, "20150830",
                "us-east-1", "service", "20150830T123600Z");
        assertThat(sig).isEqualTo("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    @Test
    void verifiesTheWholeHeaderAndRefusesATamperedBody() {
        Map<String, String> headers = Map.of("Host", "example.amazonaws.com", "X-Amz-Date", "20150830T123600Z",
                "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                        + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        SigV4Verifier.verify("GET", "/", "", headers, new byte[0], "AKIDEXAMPLE", SECRET, "us-east-1", "service");
        assertThatThrownBy(() -> SigV4Verifier.verify("GET", "/", "", headers, "x".getBytes(StandardCharsets.UTF_8),
                "AKIDEXAMPLE", SECRET, "us-east-1", "service")).hasMessageContaining("mismatch");
    }
}
