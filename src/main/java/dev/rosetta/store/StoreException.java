package dev.rosetta.store;

/** The store could not do what was asked: unreachable, or a database error. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }

    /** The change contradicts what is stored: a duplicate name, a tenant that still has keys, ... */
    public static final class Conflict extends StoreException {
        private static final long serialVersionUID = 1L;

        public Conflict(String message) {
            super(message);
        }
    }
}
