// Open MPI through pkg-config "ompi-c", and what Swift cannot import from it: MPI_COMM_WORLD,
// MPI_SUM, MPI_FLOAT, MPI_IN_PLACE, … are macros over the addresses of globals ("macro
// unavailable" in Swift), so they are wrapped in static inline functions here. Only the
// `Distributed` module imports this.
#include <mpi.h>

static inline MPI_Comm ls_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype ls_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype ls_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype ls_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op ls_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op ls_mpi_min(void) { return MPI_MIN; }
static inline MPI_Op ls_mpi_max(void) { return MPI_MAX; }
static inline void *ls_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int ls_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int ls_mpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
static inline MPI_Info ls_mpi_info_null(void) { return MPI_INFO_NULL; }
