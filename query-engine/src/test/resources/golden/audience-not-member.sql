select "t0"."user_id" from "shop"."users" as "t0" where not ("t0"."country" in (?, ?) and "t0"."country" is not null)
