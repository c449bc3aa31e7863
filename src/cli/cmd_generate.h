/* `vgae generate`: random graphs from igraph's generators (declared here until cli.h lists it). */
#ifndef VGAE_CMD_GENERATE_H
#define VGAE_CMD_GENERATE_H

int cmd_generate(int argc, char **argv);

#endif
