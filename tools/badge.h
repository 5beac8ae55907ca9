//
// "upactl badge" subcommand (tools/badge.c).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#ifndef UPACTL_BADGE_H
#  define UPACTL_BADGE_H
#  include "upa.h"
#  include "../lib/badge.h"

// argv[0] is "badge", argv[1] the action (add, remove, test, import, list,
// init); cfg is the loaded cups-upa.conf (may be NULL: loaded on demand for
// cloud lookups).  Returns the process exit status (0 = success).
extern int	upactlBadge(upa_config_t *cfg, int argc, char *argv[]);

#endif // !UPACTL_BADGE_H
