package dev.rosetta.dialect.opaque;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StateSealerTest {
    private static final StateSealer SEALER = StateSealer.withSecret("test-secret-0123456789abcdef");

    @Test
    void roundTripsAnyBytes() {
        Random random = new Random(7);
        for (int n : new int[] {0, 1, 15, 16, 17, 300, 5000}) {
            byte[] body = new byte[n];
            random.nextBytes(body);
            assertThat(SEALER.open(SEALER.seal(body))).hasValueSatisfying(b -> assertThat(b).isEqualTo(body));
        }
    }

    @Test
    void tokenUsesOnlyIdCharacters() {
        String token = SEALER.seal("hello".repeat(50).getBytes(StandardCharsets.UTF_8));
        assertThat(token).matches("^[a-zA-Z0-9_-]+$");
    }

    @Test
    void everySingleCharacterChangeIsRejected() {
        String token = SEALER.seal("a thought signature".getBytes(StandardCharsets.UTF_8));
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < token.length(); i++) {
            char replacement = alphabet.charAt((alphabet.indexOf(token.charAt(i)) + 1) % alphabet.length());
            String forged = token.substring(0, i) + replacement + token.substring(i + 1);
            // The last character may carry only padding bits, which decode to the same bytes.
            if (!Arrays.equals(Base64.getUrlDecoder().decode(forged), Base64.getUrlDecoder().decode(token))) {
                assertThat(SEALER.open(forged)).as("changed at %d", i).isEmpty();
            }
        }
    }

    @Test
    void truncatedExtendedOrGarbageTokensAreRejectedWithoutThrowing() {
        String token = SEALER.seal("x".getBytes(StandardCharsets.UTF_8));
        assertThat(SEALER.open(token.substring(0, token.length() - 1))).isEmpty();
        assertThat(SEALER.open(token + "A")).isEmpty();
        assertThat(SEALER.open("")).isEmpty();
        assertThat(SEALER.open("not base64 at all!")).isEmpty();
        assertThat(SEALER.open("toolu_01A09q90qw90lq917835lq9")).isEmpty();
    }

    @Test
    void anotherKeyCannotOpen() {
        String token = SEALER.seal("state".getBytes(StandardCharsets.UTF_8));
        assertThat(StateSealer.withSecret("another-secret-0123456789abcdef").open(token)).isEmpty();
        assertThat(StateSealer.generated(new Random(1)).open(token)).isEmpty();
    }

    @Test
    void compressesWhenThatIsShorterAndCostsAFixedOverheadOtherwise() {
        byte[] text = "The user wants the weather in Paris, so I should call get_weather. ".repeat(30)
                .getBytes(StandardCharsets.UTF_8);
        assertThat(SEALER.seal(text).length()).isLessThan(text.length / 4);
        byte[] random = new byte[1024];
        new Random(3).nextBytes(random);
        // 1 flag byte + 16 MAC bytes, base64: incompressible state grows by a third plus 23 characters.
        assertThat(SEALER.seal(random).length()).isEqualTo((int) Math.ceil((1024 + 17) * 4 / 3.0));
    }

    @Test
    void aDeflatedBombIsNotInflatedPastTheBound() {
        byte[] huge = new byte[StateSealer.MAX_BODY_BYTES + 1];
        String token = SEALER.seal(huge);
        assertThat(token.length()).isLessThan(3000);
        assertThat(SEALER.open(token)).isEmpty();
    }
}
