//
// The hand-over of a job from the launcher (launch.c, the program cupsd
// starts as "upa") to a warm guardian (warm.c, "upa-backend --warm"): what
// both sides must agree on.  C library only: the launcher links nothing else.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// One SOCK_SEQPACKET message from the launcher: a upa_warm_hdr_t, then
// argc strings (argv) and envc strings (environ), each NUL-terminated, with
// the descriptors in one SCM_RIGHTS message: 0, 1 and 2, then 3 and 4 when
// the header's fd_mask says cupsd opened them (back and side channel), then
// the working directory (O_PATH).  The guardian answers "A" (accepted: the
// job is its) before it does anything else; then the launcher passes each
// SIGTERM on as "T" and the guardian ends with "S" and the exit status.
//
// Between the waiting process and a guardian (its fork, warm.c), on their
// socket pair: "T" once the guardian has accepted a job; then "P" and the
// real backend's PID (int32_t) after it starts, and "T" for each SIGTERM
// the waiting process is to send it (upaSigTermChild()).
//

#ifndef UPA_WARM_H
#  define UPA_WARM_H
#  include <stdint.h>
#  include <sys/socket.h>

#  ifndef UPA_WARM_DIR
#    define UPA_WARM_DIR	"/run/upa-backend"
					// Root-only folder of the socket
#  endif // !UPA_WARM_DIR
#  define UPA_WARM_SOCKET	"warm.sock"
					// Socket name in that folder
#  define UPA_WARM_MAGIC	"UPAWARM1"
					// Protocol version
#  define UPA_WARM_MAX		(128 * 1024)
					// Largest message (else: no hand-over)
#  define UPA_WARM_MAX_FDS	6	// 0-4 and the working directory
#  define UPA_WARM_SECONDS	300	// A warm guardian waits this long for a job
#  define UPA_WARM_SPARE_MS	500	// Next spare at the latest this long after a job was taken

typedef struct upa_warm_hdr_s		// Message header
{
  char		magic[8];		// UPA_WARM_MAGIC (no NUL)
  uint32_t	argc,			// Number of argv strings
		envc,			// Number of environment strings
		fd_mask,		// Bit N: descriptor N (0-4) is passed
		umask;			// The launcher's umask
} upa_warm_hdr_t;

typedef union upa_warm_cmsg_u		// Room for the SCM_RIGHTS control message
{
  struct cmsghdr	hdr;		// (Alignment)
  char			buf[CMSG_SPACE(sizeof(int) * UPA_WARM_MAX_FDS)];
} upa_warm_cmsg_t;

#endif // !UPA_WARM_H
