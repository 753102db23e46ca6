// Intentionally empty: every shim is static inline in the header.
