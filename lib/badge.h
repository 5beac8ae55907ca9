//
// Badge identities for libupa (placeholder until the pam_upa work lands).
//
