/* udpecho PORT — answer one UDP datagram on PORT with "echo:" and the same
 * bytes, then exit. A test helper: the busybox rootfs has no UDP server,
 * so tests/day10-ports.sh builds this statically and binds it into a
 * container (-v) to show a published /udp port working. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
	struct sockaddr_in from;
	socklen_t len = sizeof from;
	char buf[512] = "echo:";
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (argc != 2 || s < 0)
		return 2;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("udpecho: bind");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	ssize_t n = recvfrom(s, buf + 5, sizeof buf - 5, 0, (struct sockaddr *)&from, &len);
	if (n < 0)
		return 1;
	sendto(s, buf, (size_t)n + 5, 0, (struct sockaddr *)&from, len);
	return 0;
}
