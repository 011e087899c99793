/* attack-proxy.t's helper: run PROG with FILE opened O_PATH as stdin
 * (an O_PATH fd needs no read permission on FILE).
 *   opath FILE PROG [ARGS...] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int fd = open(argv[1], O_PATH);
	if (fd < 0 || dup2(fd, 0) < 0)
		return perror(argv[1]), 1;
	execv(argv[2], argv + 2);
	return perror(argv[2]), 127;
}
