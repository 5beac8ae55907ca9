//
// The signal relay's loop (sigloop.c), shared by upa-sigrelay and backend/run.c,
// and the checked SIGTERM of a warm guardian's real backend (backend/warm.c).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#ifndef UPA_SIGLOOP_H
#  define UPA_SIGLOOP_H
#  include <stdbool.h>
#  include <sys/types.h>

extern void	upaSigRelayLoop(pid_t child);
extern bool	upaSigTermChild(pid_t parent, pid_t child);

#endif // !UPA_SIGLOOP_H
