// Open MPI through pkg-config "ompi-c", for its types and declarations only: nothing here links
// against libmpi. A plain `lockstep` (not started by mpirun) must not map libmpi, libopen-rte,
// libopen-pal and libevent (~1.7 ms of every start-up), so the binary references no symbol of them
// (the Makefile links with --as-needed, so pkg-config's -lmpi leaves no DT_NEEDED) and under mpirun
// `ls_mpi_load` opens the library with dlopen and finds what Lockstep calls with dlsym.
//
// MPI_COMM_WORLD, MPI_SUM, MPI_FLOAT, … are macros over the addresses of globals ("macro
// unavailable" in Swift); here they are those addresses, looked up by name. Only the `Distributed`
// module imports this, and calls MPI only through an `ls_mpi` table.
#include <dlfcn.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

/// The library `ls_mpi_load` opens unless LOCKSTEP_MPI_LIBRARY names another: Open MPI 4's soname.
#define LS_MPI_LIBRARY "libmpi.so.40"

#pragma clang assume_nonnull begin

/// The MPI functions and predefined handles Lockstep uses, resolved in the loaded library. The
/// function types are mpi.h's own (`__typeof__`), so a call from Swift is checked against them.
typedef struct ls_mpi {
    __typeof__(MPI_Init_thread) *Init_thread;
    __typeof__(MPI_Finalize) *Finalize;
    __typeof__(MPI_Abort) *Abort;
    __typeof__(MPI_Comm_rank) *Comm_rank;
    __typeof__(MPI_Comm_size) *Comm_size;
    __typeof__(MPI_Barrier) *Barrier;
    __typeof__(MPI_Bcast) *Bcast;
    __typeof__(MPI_Allreduce) *Allreduce;
    __typeof__(MPI_Allgatherv) *Allgatherv;
    __typeof__(MPI_Type_contiguous) *Type_contiguous;
    __typeof__(MPI_Type_create_resized) *Type_create_resized;
    __typeof__(MPI_Type_commit) *Type_commit;
    __typeof__(MPI_Type_free) *Type_free;
    __typeof__(MPI_Comm_split_type) *Comm_split_type;
    __typeof__(MPI_Comm_free) *Comm_free;
    // MPI_COMM_WORLD, MPI_FLOAT, … : the addresses of Open MPI's predefined objects.
    MPI_Comm comm_world;
    MPI_Datatype float_type;
    MPI_Datatype uint64;
    MPI_Datatype byte;
    MPI_Op sum;
    MPI_Op min;
    MPI_Op max;
    MPI_Info info_null;
} ls_mpi;

/// Opens Open MPI (RTLD_NOW: a missing symbol fails here, not at a first call mid-run; RTLD_GLOBAL:
/// Open MPI's components, which it dlopens itself, resolve libmpi's and libopen-pal's symbols
/// through the global scope) and resolves the table. Once per process; the table and the library
/// stay for the process's life. NULL on failure, with the library's name and dlerror() in `error`.
static inline const ls_mpi *_Nullable ls_mpi_load(char *error, size_t capacity) {
    const char *_Nullable chosen = getenv("LOCKSTEP_MPI_LIBRARY");
    const char *name = chosen && *chosen ? chosen : LS_MPI_LIBRARY;
    void *_Nullable lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        const char *_Nullable why = dlerror();
        snprintf(error, capacity, "cannot load Open MPI (%s): %s", name, why ? why : "dlopen failed");
        return NULL;
    }
    ls_mpi *_Nullable api = (ls_mpi *)calloc(1, sizeof(ls_mpi));
    if (!api) {
        snprintf(error, capacity, "cannot load Open MPI (%s): out of memory", name);
        return NULL;
    }
    const char *_Nullable missing = NULL;
#define LS_MPI_RESOLVE(field, symbol)                                                              \
    if (!missing && !(*(void *_Nullable *)&api->field = dlsym(lib, symbol))) missing = symbol;
    LS_MPI_RESOLVE(Init_thread, "MPI_Init_thread")
    LS_MPI_RESOLVE(Finalize, "MPI_Finalize")
    LS_MPI_RESOLVE(Abort, "MPI_Abort")
    LS_MPI_RESOLVE(Comm_rank, "MPI_Comm_rank")
    LS_MPI_RESOLVE(Comm_size, "MPI_Comm_size")
    LS_MPI_RESOLVE(Barrier, "MPI_Barrier")
    LS_MPI_RESOLVE(Bcast, "MPI_Bcast")
    LS_MPI_RESOLVE(Allreduce, "MPI_Allreduce")
    LS_MPI_RESOLVE(Allgatherv, "MPI_Allgatherv")
    LS_MPI_RESOLVE(Type_contiguous, "MPI_Type_contiguous")
    LS_MPI_RESOLVE(Type_create_resized, "MPI_Type_create_resized")
    LS_MPI_RESOLVE(Type_commit, "MPI_Type_commit")
    LS_MPI_RESOLVE(Type_free, "MPI_Type_free")
    LS_MPI_RESOLVE(Comm_split_type, "MPI_Comm_split_type")
    LS_MPI_RESOLVE(Comm_free, "MPI_Comm_free")
    LS_MPI_RESOLVE(comm_world, "ompi_mpi_comm_world")
    LS_MPI_RESOLVE(float_type, "ompi_mpi_float")
    LS_MPI_RESOLVE(uint64, "ompi_mpi_uint64_t")
    LS_MPI_RESOLVE(byte, "ompi_mpi_byte")
    LS_MPI_RESOLVE(sum, "ompi_mpi_op_sum")
    LS_MPI_RESOLVE(min, "ompi_mpi_op_min")
    LS_MPI_RESOLVE(max, "ompi_mpi_op_max")
    LS_MPI_RESOLVE(info_null, "ompi_mpi_info_null")
#undef LS_MPI_RESOLVE
    if (missing) {
        const char *_Nullable why = dlerror();
        snprintf(error, capacity, "cannot load Open MPI (%s): %s", name, why ? why : missing);
        free(api);
        return NULL;
    }
    return api;
}

#pragma clang assume_nonnull end

static inline void *ls_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int ls_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int ls_mpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
