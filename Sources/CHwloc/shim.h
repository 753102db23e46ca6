#ifndef LOCKSTEP_CHWLOC_SHIM_H
#define LOCKSTEP_CHWLOC_SHIM_H
#include <hwloc.h>
#endif
