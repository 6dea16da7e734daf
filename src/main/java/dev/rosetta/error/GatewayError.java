package dev.rosetta.error;

import java.util.Objects;
import java.util.Optional;

/**
 * An error the gateway answers with, rendered in the client's dialect by that dialect's error
 * renderer. {@code param} names the offending field as a JSON path ({@code $.messages[2].content})
 * when one is to blame. Messages never contain secrets.
 *
 * @param code a machine-readable code when there is one (OpenAI's {@code error.code})
 * @param retryAfterSeconds seconds the client should wait, sent as {@code Retry-After}
 */
public record GatewayError(ErrorKind kind, String message, Optional<String> param, Optional<String> code,
                           Optional<Long> retryAfterSeconds) {

    public GatewayError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(param, "param");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(retryAfterSeconds, "retryAfterSeconds");
    }

    public static GatewayError of(ErrorKind kind, String message) {
        return new GatewayError(kind, message, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static GatewayError invalid(String message, String jsonPath) {
        return new GatewayError(ErrorKind.INVALID_REQUEST, message + " at " + jsonPath, Optional.of(jsonPath),
                Optional.empty(), Optional.empty());
    }

    public GatewayError withCode(String newCode) {
        return new GatewayError(kind, message, param, Optional.of(newCode), retryAfterSeconds);
    }

    public GatewayError withRetryAfter(long seconds) {
        return new GatewayError(kind, message, param, code, Optional.of(seconds));
    }

    public int status() {
        return kind.status();
    }

    /** This error as an exception, for code (such as codecs) that reports failure by throwing. */
    public GatewayException toException() {
        return new GatewayException(this);
    }
}
