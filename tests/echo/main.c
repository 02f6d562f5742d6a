/*
 * echo: prints its arguments, then echoes the lines of its standard
 * input (the serial console) until "bye" or the end of input (^D). The
 * runner types into it (run-tests.py, stdin.*) to check that what is
 * typed into `make run` reaches an application, and that arguments with
 * spaces and quotes survive every command line on the way.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char line[256];

	for (int i = 0; i < argc; i++)
		printf("echo: argv[%d] [%s]\n", i, argv[i]);
	printf("echo: ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		printf("echo: line [%s]\n", line);
		if (strcmp(line, "bye") == 0)
			return 0;
	}
	printf("echo: end of input\n");
	return 0;
}
