-- Each nextval reserves 32 ticket numbers for the replica that called it (TicketService.ID_BLOCK).
alter sequence ticket_number_seq increment by 32;
