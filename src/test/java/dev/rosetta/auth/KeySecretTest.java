package dev.rosetta.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeySecretTest {

    @Test
    void aNewKeyIsRkThen256UrlSafeRandomBitsThenAChecksum() {
        String key = KeySecret.generate();

        assertThat(key).hasSize(KeySecret.LENGTH).startsWith("rk-").matches("rk-[A-Za-z0-9_-]{43}[A-Za-z0-9]{6}");
        assertThat(java.util.Base64.getUrlDecoder().decode(key.substring(3, 46))).hasSize(32);
        assertThat(KeySecret.wellFormed(key)).isTrue();
    }

    @Test
    void keysDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.add(KeySecret.generate())).isTrue();
        }
    }

    @Test
    void theChecksumIsCrc32OfTheBodyInBase62SoKeysIssuedEarlierStayValid() {
        // checksum computed outside Java (Python's zlib.crc32 of the first 46 characters, base62, 6 digits)
        assertThat(KeySecret.wellFormed("rk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde2tK8Wt")).isTrue();
        assertThat(KeySecret.wellFormed("rk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde2tK8Wu")).isFalse();
    }

    @Test
    void anySingleCharacterTypoIsCaughtByTheChecksumWithoutALookup() {
        String key = KeySecret.generate(new Random(7));
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < key.length(); i++) {
            for (char c : alphabet.toCharArray()) {
                if (c == key.charAt(i)) {
                    continue;
                }
                String typo = key.substring(0, i) + c + key.substring(i + 1);
                assertThat(KeySecret.wellFormed(typo)).as("typo at %d", i).isFalse();
            }
        }
    }

    @Test
    void otherShapesAreNotKeys() {
        String key = KeySecret.generate(new Random(1));
        assertThat(KeySecret.wellFormed("")).isFalse();
        assertThat(KeySecret.wellFormed("sk-proj-abc")).isFalse();
        assertThat(KeySecret.wellFormed(key.substring(1))).isFalse();
        assertThat(KeySecret.wellFormed(key + "x")).isFalse();
        assertThat(KeySecret.wellFormed("xk-" + key.substring(3))).isFalse();
        assertThat(KeySecret.wellFormed(key.substring(0, 10) + "+" + key.substring(11))).isFalse();
    }

    @Test
    void theHashIsSha256HexAndThePrefixTooShortToUse() {
        String key = KeySecret.generate(new Random(3));
        assertThat(KeySecret.hash(key)).hasSize(64).matches("[0-9a-f]+").isEqualTo(KeySecret.hash(key))
                .isNotEqualTo(KeySecret.hash(KeySecret.generate(new Random(4))));
        assertThat(KeySecret.visiblePrefix(key)).hasSize(11).isEqualTo(key.substring(0, 11));
    }
}
