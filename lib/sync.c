//
// Placeholder (filled by the sync work).
//

#include "upa-private.h"
