package dev.rosetta.dialect.internal;

import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.GatewayException;
import java.util.function.Supplier;

/**
 * Keeps the codec contract that only {@link GatewayException} escapes: anything else thrown while
 * decoding is reported as invalid input at the root, while encoding as an internal error.
 */
public final class Guard {
    private Guard() {
    }

    public static <T> T decoding(Supplier<T> work) {
        try {
            return work.get();
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException e) {
            throw GatewayError.invalid("unexpected input (" + e.getClass().getSimpleName() + ")", "$").toException();
        }
    }

    public static <T> T encoding(Supplier<T> work) {
        try {
            return work.get();
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException e) {
            throw GatewayError.of(ErrorKind.INTERNAL, "could not encode (" + e.getClass().getSimpleName() + ")")
                    .toException();
        }
    }
}
