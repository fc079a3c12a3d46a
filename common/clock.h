/* clock.h - the monotonic clock in milliseconds, for timeouts and intervals
 * (never a wall-clock time: it does not move when the system time is set). */
#ifndef MG_COMMON_CLOCK_H
#define MG_COMMON_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t mg_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
