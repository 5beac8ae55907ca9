//
// Placeholder (filled by the oauth work).
//

#include "upa-private.h"
