//
// Placeholder (filled by the outbox work).
//

#include "upa-private.h"
