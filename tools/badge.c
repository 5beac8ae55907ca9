//
// "upactl badge" (placeholder until the pam_upa work lands).
//
