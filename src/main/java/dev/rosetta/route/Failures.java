package dev.rosetta.route;

import dev.rosetta.error.ErrorKind;
import dev.rosetta.pipeline.AttemptFailure;
import java.util.Locale;

/** Which failures another target may answer for, and which stay the client's. */
final class Failures {

    enum Verdict {
        /** The target failed (or is busy): the same request may succeed elsewhere. */
        RETRY,
        /** The prompt is too long for this target: only the model's {@code context_window_fallbacks} may help. */
        CONTEXT_WINDOW,
        /** The target refused the content by its policy: only {@code content_policy_fallbacks} may help. */
        CONTENT_POLICY,
        /** A bad request stays bad wherever it goes: the client gets it. */
        FINAL
    }

    private Failures() {
    }

    static Verdict of(AttemptFailure f) {
        int status = f.upstreamStatus();
        if (status == 0) {
            return Verdict.RETRY; // connect error, timeout before any response
        }
        if (status < 400) {
            // a response whose stream failed or stalled before its first event
            return switch (f.error().kind()) {
                case OVERLOADED, RATE_LIMITED, INTERNAL, BAD_GATEWAY, UNAVAILABLE, TIMEOUT -> Verdict.RETRY;
                default -> special(f);
            };
        }
        return switch (status) {
            case 408, 409, 429, 500, 502, 503, 504, 529 -> Verdict.RETRY;
            case 400, 413, 422 -> special(f);
            default -> f.error().kind() == ErrorKind.OVERLOADED ? Verdict.RETRY : Verdict.FINAL;
        };
    }

    private static Verdict special(AttemptFailure f) {
        String m = f.error().message().toLowerCase(Locale.ROOT);
        if (m.contains("context length") || m.contains("context_length") || m.contains("context window")
                || m.contains("prompt is too long") || m.contains("maximum number of tokens")
                || m.contains("too many tokens") || m.contains("input is too long")) {
            return Verdict.CONTEXT_WINDOW;
        }
        if (m.contains("content_policy") || m.contains("content policy") || m.contains("content management policy")
                || m.contains("content_filter") || m.contains("safety system")) {
            return Verdict.CONTENT_POLICY;
        }
        return Verdict.FINAL;
    }
}
