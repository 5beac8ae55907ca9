//
// Placeholder (filled by the outbox work).
//
