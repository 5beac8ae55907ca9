//
// Placeholder (filled by the graph work).
//

#include "upa-private.h"
