package dev.rosetta.dialect.opaque;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.model.ContentBlock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever a sealed id carries comes back exactly, and nothing else opens. */
class CarriedProperties {
    private static final StateSealer SEALER = StateSealer.withSecret("property-secret-0123456789");

    @Property(tries = 200)
    void sealedStateOpensToExactlyWhatWasSealed(@ForAll("carried") Carried c) {
        String token = SEALER.seal(c.toBytes());
        assertThat(token).matches("^[a-zA-Z0-9_-]*$");
        assertThat(SEALER.open(token).flatMap(Carried::fromBytes)).contains(c);
    }

    /** A bundle (the state of a whole answer in one signature or encrypted content) comes back entry by entry. */
    @Property(tries = 100)
    void aBundleOpensToItsEntries(@ForAll("carried") Carried a, @ForAll("carried") Carried b) {
        byte[] token = SEALER.sealBytes(Carried.bundleBytes(List.of(a, b)));
        assertThat(SEALER.openBytes(token).flatMap(Carried::entriesFromBytes)).contains(List.of(a, b));
        assertThat(SEALER.openBytes(SEALER.sealBytes(a.toBytes())).flatMap(Carried::entriesFromBytes))
                .as("one version-1 payload reads as one entry").contains(List.of(a));
    }

    @Property(tries = 200)
    void arbitraryBytesNeverOpenAndNeverThrow(@ForAll("tokens") String token) {
        assertThat(SEALER.open(token)).isEmpty();
    }

    /** Signatures are mostly base64, sometimes not quite (no padding, other alphabets, any text). */
    private static Arbitrary<String> opaque() {
        Arbitrary<String> b64 = Arbitraries.bytes().array(byte[].class).ofMaxSize(600)
                .map(b -> Base64.getEncoder().encodeToString(b));
        Arbitrary<String> unpadded = Arbitraries.bytes().array(byte[].class).ofMaxSize(50)
                .map(b -> Base64.getUrlEncoder().withoutPadding().encodeToString(b));
        Arbitrary<String> urlSafe = Arbitraries.bytes().array(byte[].class).ofMaxSize(600)
                .map(b -> Base64.getUrlEncoder().encodeToString(b));
        return Arbitraries.oneOf(b64, unpadded, urlSafe, Arbitraries.strings().ofMaxLength(40));
    }

    @Provide
    Arbitrary<Carried> carried() {
        Arbitrary<ContentBlock> thinking = Combinators.combine(Arbitraries.strings().ofMaxLength(300),
                opaque().optional()).as(ContentBlock.Thinking::new);
        Arbitrary<ContentBlock> redacted = opaque().map(ContentBlock.RedactedThinking::new);
        Arbitrary<ContentBlock> reasoning = Combinators.combine(Arbitraries.strings().ofMaxLength(30), opaque(),
                Arbitraries.strings().ofMaxLength(100).list().ofMaxSize(3)).as(ContentBlock.EncryptedReasoning::new);
        Arbitrary<List<ContentBlock>> blocks = Arbitraries.oneOf(thinking, redacted, reasoning).list().ofMaxSize(3);
        return Combinators.combine(Arbitraries.strings().ofMaxLength(40), opaque().optional(), blocks, blocks)
                .as(Carried::new);
    }

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200)
                        .map(b -> Base64.getUrlEncoder().withoutPadding().encodeToString(b)));
    }
}
