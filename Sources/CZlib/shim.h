// zlib, for the CRC-32 checksums in a dataset's meta.json (the same value as Python's zlib.crc32).
#include <zlib.h>
