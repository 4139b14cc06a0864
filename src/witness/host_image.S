/*
 * host_image.S -- the witness host's executable (host/host.c), built
 * static by src/witness/module.mk and kept in folio as read-only data;
 * host_client.c starts it from a copy in an anonymous file.
 */
	.section .rodata
	.balign 16
	.globl witness_host_image
	.type witness_host_image, @object
witness_host_image:
	.incbin WITNESS_HOST_FILE
	.globl witness_host_image_end
witness_host_image_end:
	.size witness_host_image, witness_host_image_end - witness_host_image

	.section .note.GNU-stack, "", @progbits
