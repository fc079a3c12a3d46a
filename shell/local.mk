# shell/ - lexer, parser, evaluator, binder, REPL (language owner)
bin_PROGRAMS += migsh
migsh_SOURCES = shell/main.c
migsh_LDADD = $(MIGSH_LIBS) $(MIGSH_EXT_LIBS)
