noinst_LIBRARIES += libcommon.a
libcommon_a_SOURCES = \
	common/err.c common/err.h \
	common/mem.c common/mem.h \
	common/str.c common/str.h \
	common/fileio.c common/fileio.h \
	common/date_text.c common/date_text.h
