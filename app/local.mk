# app/ - the migsh program: its entry point wires the shell, the migration
# cmdlets and the engine together (the libraries never depend on it)
bin_PROGRAMS += migsh
migsh_SOURCES = app/main.c shell/repl.c shell/repl.h shell/readline_lazy.c shell/readline_lazy.h
migsh_LDADD = $(MIGSH_LIBS) $(MIGSH_EXT_LIBS)
