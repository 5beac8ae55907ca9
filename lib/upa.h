//
// libupa: the cups-upa core library (umbrella header).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Everything that talks to the cloud or keeps state lives here; programs
// (backend, release station, upactl, PAM module) are thin and decide how to
// report.  Nothing in lib/ prints or exits: errors are returned (see error.h)
// and diagnostics go through the log callback each program installs (log.h).
//
// Ownership rule for the whole library: whatever a ...Create()/...Load()/...New()
// function returns belongs to the caller and is freed with the matching
// ...Delete(); getters return borrowed pointers valid as long as their owner.
//

#ifndef UPA_H
#  define UPA_H
#  include "error.h"
#  include "log.h"
#  include "text.h"
#  include "config.h"
#  include "device.h"
#  include "http.h"
#  include "token.h"
#  include "client.h"
#  include "infra.h"
#  include "register.h"
#  include "ticket.h"
#  include "cupsjob.h"
#  include "journal.h"
#  include "release.h"
#endif // !UPA_H
