# pam_upa.so: badge/PIN -> UPN.
