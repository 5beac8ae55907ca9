//
// Placeholder (filled by the oauth work).
//
