select "t0"."user_id" from "shop"."users" as "t0" where ("t0"."country" = ? and "t0"."country" is not null)
