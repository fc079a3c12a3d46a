# cmdlets/ - the migration cmdlets and the dispatch table
libcmdlets_a_SOURCES += cmdlets/table.c
