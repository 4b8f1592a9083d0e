/* A slow disk for benchmarks/bench_wal_checkpoint.py and bench_service_load.py: loaded with
 * LD_PRELOAD, every fsync/fdatasync first sleeps $SLOW_FSYNC_MS milliseconds.
 *
 *   gcc -shared -fPIC -O2 -o /tmp/slow_fsync.so benchmarks/slow_fsync.c -ldl
 *   SLOW_FSYNC_MS=1000 LD_PRELOAD=/tmp/slow_fsync.so python benchmarks/bench_wal_checkpoint.py
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void pause_ms(void) {
    const char *value = getenv("SLOW_FSYNC_MS");
    long ms = value ? atol(value) : 0;
    if (ms > 0) {
        struct timespec wait = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&wait, 0);
    }
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    pause_ms();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    pause_ms();
    return real(fd);
}
